'use strict';
// One chat message in the page: role, reasoning (collapsed), the text as sanitized markdown (a user's as plain
// text), tool calls with their arguments as text, an error in place, usage and speed, a copy button.
const MessageView = (() => {
  const el = Hearth.el;

  /** The DOM of one message, with an update() that re-renders it from the message object. */
  function create(m) {
    const root = el('article', 'message ' + m.role);
    const role = el('div', 'role', m.role === 'user' ? 'You' : (m.model || 'Assistant'));
    const reasoning = el('details', 'reasoning');
    const summary = el('summary', null, 'Reasoning');
    const reasoningBody = el('div', 'markdown');
    reasoning.append(summary, reasoningBody);
    const body = el('div', m.role === 'user' ? 'text' : 'markdown');
    const tools = el('div', 'tool-calls');
    const error = el('div', 'error');
    const footer = el('div', 'meta');
    const stats = el('span', 'stats');
    footer.appendChild(stats);
    root.append(role, reasoning, body, tools, error, footer);
    const copy = el('button', 'copy-message', 'Copy');
    copy.type = 'button';
    copy.title = 'Copy the message';
    copy.addEventListener('click', async () => {
      await Render.copyText(m.content || '');
      copy.textContent = 'Copied';
      setTimeout(() => { copy.textContent = 'Copy'; }, 1200);
    });
    footer.appendChild(copy);

    function update() {
      reasoning.hidden = !m.reasoning;
      if (m.reasoning) {
        summary.textContent = m.pending && !m.content ? 'Reasoning…' : 'Reasoning';
        Render.markdown(reasoningBody, m.reasoning);
      }
      if (m.role === 'user') {
        body.textContent = m.content;
      } else {
        Render.markdown(body, m.content || '');
        body.classList.toggle('pending', !!m.pending && !m.content && !m.reasoning);
      }
      tools.replaceChildren();
      for (const call of m.toolCalls || []) {
        const box = el('div', 'tool-call');
        const head = el('div', 'tool-head');
        head.append(el('span', 'tool-label', 'Tool call'), el('span', 'tool-name', call.name || '…'));
        const args = el('div', 'tool-args');
        Render.json(args, call.arguments);
        box.append(head, args);
        tools.appendChild(box);
      }
      error.hidden = !m.error;
      error.textContent = m.error || '';
      stats.textContent = statsText(m);
      copy.hidden = m.pending || !m.content;
    }
    update();
    return {root, update};
  }

  function statsText(m) {
    if (m.role !== 'assistant') {
      return '';
    }
    if (m.pending) {
      return m.generated ? m.generated + ' chunks…' : 'waiting for the first token…';
    }
    const parts = [];
    if (m.usage) {
      parts.push(m.usage.prompt_tokens + ' prompt tokens', m.usage.completion_tokens + ' generated');
      const seconds = m.timing && m.timing.lastToken > m.timing.firstToken
        ? (m.timing.lastToken - m.timing.firstToken) / 1000 : 0;
      if (seconds >= 0.1 && m.usage.completion_tokens > 1) {  // shorter: a burst from a relay, no rate to tell
        parts.push(((m.usage.completion_tokens - 1) / seconds).toFixed(1) + ' tokens/s');
      }
    }
    if (m.timing && m.timing.firstToken) {
      parts.push('first token ' + ((m.timing.firstToken - m.timing.start) / 1000).toFixed(2) + ' s');
    }
    if (m.finish) {
      parts.push(m.finish);
    }
    return parts.join(' · ');
  }

  return {create};
})();
