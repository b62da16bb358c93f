'use strict';
// Reads a streamed chat completion (server-sent events) into an answer object: content, reasoning and tool-call
// deltas, the finish reason, usage and an error sent mid-stream; redraws at most once a frame.
const ChatStream = (() => {
  /** Reads the SSE stream: content, reasoning and tool-call deltas, finish reason, usage, in-stream errors. */
  async function read(response, answer, onChange) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let scheduled = false;
    const redraw = () => {
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(() => {
          scheduled = false;
          onChange();
        });
      }
    };
    for (;;) {
      const {value, done} = await reader.read();
      if (done) {
        break;
      }
      buffer += decoder.decode(value, {stream: true}).replace(/\r\n/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of event.split('\n')) {
          if (!line.startsWith('data:')) {
            continue;
          }
          const data = line.slice(5).trim();
          if (data === '[DONE]') {
            return;
          }
          apply(JSON.parse(data), answer);
          redraw();
        }
      }
    }
  }

  function apply(chunk, answer) {
    if (chunk.error) {
      answer.error = 'The server reported an error mid-answer: ' + (chunk.error.message || JSON.stringify(chunk.error));
      return;
    }
    if (chunk.usage) {
      answer.usage = chunk.usage;
    }
    for (const choice of chunk.choices || []) {
      const delta = choice.delta || {};
      const now = Date.now();
      if (delta.content || delta.reasoning_content || delta.tool_calls) {
        answer.timing.firstToken = answer.timing.firstToken || now;
        answer.timing.lastToken = now;
        answer.generated++;
      }
      if (delta.content) {
        answer.content += delta.content;
      }
      if (delta.reasoning_content) {
        answer.reasoning += delta.reasoning_content;
      }
      for (const t of delta.tool_calls || []) {
        const index = t.index || 0;
        const call = answer.toolCalls[index] || (answer.toolCalls[index] = {id: '', name: '', arguments: ''});
        call.id = t.id || call.id;
        if (t.function) {
          call.name += t.function.name || '';
          call.arguments += t.function.arguments || '';
        }
      }
      if (choice.finish_reason) {
        answer.finish = choice.finish_reason === 'length' ? 'stopped at max tokens'
          : choice.finish_reason === 'tool_calls' ? 'tool calls' : '';
      }
    }
  }

  return {read};
})();
