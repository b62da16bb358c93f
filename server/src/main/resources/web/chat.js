'use strict';
// The chat page: conversations in localStorage, the model list from /v1/models, answers streamed from
// /v1/chat/completions (SSE) and rendered as sanitized markdown; Stop aborts the request, which cancels the
// sequence in the engine.
(() => {
  const $ = id => document.getElementById(id);
  const el = Hearth.el;
  const STORE = 'hearth.conversations';
  const CURRENT = 'hearth.current';
  const SETTINGS = 'hearth.settings';

  let conversations = load(STORE, []);
  let current = localStorage.getItem(CURRENT);
  let settings = load(SETTINGS, {system: '', temperature: '', topP: '', maxTokens: '', extra: '', model: ''});
  let running = null;  // {controller, conversation}

  function load(key, fallback) {
    try {
      const value = JSON.parse(localStorage.getItem(key));
      return value === null ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }

  function save() {
    localStorage.setItem(STORE, JSON.stringify(conversations));
    if (current) {
      localStorage.setItem(CURRENT, current);
    }
  }

  function conversation() {
    return conversations.find(c => c.id === current) || null;
  }

  function newConversation() {
    const c = {id: 'c' + Date.now().toString(36) + Math.random().toString(36).slice(2, 6), title: 'New chat',
      messages: [], updated: Date.now()};
    conversations.unshift(c);
    current = c.id;
    save();
    return c;
  }

  // ----- sidebar -----

  function renderConversations() {
    const nav = $('conversations');
    nav.replaceChildren();
    for (const c of conversations) {
      const row = el('div', 'conversation' + (c.id === current ? ' active' : ''));
      const open = el('button', 'conversation-open', c.title || 'Untitled');
      open.type = 'button';
      open.title = c.title;
      open.addEventListener('click', () => select(c.id));
      const rename = el('button', 'icon', '✎');
      rename.type = 'button';
      rename.title = 'Rename';
      rename.setAttribute('aria-label', 'Rename ' + c.title);
      rename.addEventListener('click', () => {
        const title = prompt('Rename the conversation', c.title);
        if (title !== null && title.trim()) {
          c.title = title.trim().slice(0, 120);
          save();
          renderConversations();
          renderTitle();
        }
      });
      const remove = el('button', 'icon', '×');
      remove.type = 'button';
      remove.title = 'Delete';
      remove.setAttribute('aria-label', 'Delete ' + c.title);
      remove.addEventListener('click', () => {
        if (!confirm('Delete "' + c.title + '"?')) {
          return;
        }
        if (running && running.conversation === c.id) {
          running.controller.abort();
        }
        conversations = conversations.filter(x => x.id !== c.id);
        if (current === c.id) {
          current = conversations.length ? conversations[0].id : null;
          if (!current) {
            localStorage.removeItem(CURRENT);
          }
        }
        save();
        renderAll();
      });
      row.append(open, rename, remove);
      nav.appendChild(row);
    }
  }

  function select(id) {
    current = id;
    save();
    renderAll();
  }

  function renderTitle() {
    const c = conversation();
    $('conversation-title').textContent = c ? c.title : '';
  }

  // ----- messages -----

  function renderAll() {
    renderConversations();
    renderTitle();
    const box = $('messages');
    box.replaceChildren();
    const c = conversation();
    if (!c || c.messages.length === 0) {
      box.appendChild(emptyState);
    } else {
      for (const m of c.messages) {
        box.appendChild(messageView(m).root);
      }
    }
    box.scrollTop = box.scrollHeight;
    updateComposer();
  }

  /** The DOM of one message, with an update() that re-renders it from the message object. */
  function messageView(m) {
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

  // ----- sending -----

  function requestBody(c, model) {
    const messages = [];
    if (settings.system.trim()) {
      messages.push({role: 'system', content: settings.system});
    }
    for (const m of c.messages) {
      if (m.pending || (m.role === 'assistant' && (m.error || !m.content))) {
        continue;
      }
      messages.push({role: m.role, content: m.content});
    }
    const body = {model, messages, stream: true, stream_options: {include_usage: true}};
    if (settings.temperature !== '') {
      body.temperature = Number(settings.temperature);
    }
    if (settings.topP !== '') {
      body.top_p = Number(settings.topP);
    }
    if (settings.maxTokens !== '') {
      body.max_tokens = Number(settings.maxTokens);
    }
    if (settings.extra.trim()) {
      const extra = JSON.parse(settings.extra);  // checked when typed
      Object.assign(body, extra);
    }
    return body;
  }

  async function send(text) {
    const model = $('model').value;
    if (!model) {
      showComposerError('No model to talk to: the server lists none, or needs an API key (Settings).');
      return;
    }
    const c = conversation() || newConversation();
    if (c.messages.length === 0) {
      c.title = text.replace(/\s+/g, ' ').trim().slice(0, 48) || 'New chat';
    }
    c.messages.push({role: 'user', content: text});
    const answer = {role: 'assistant', model, content: '', reasoning: '', toolCalls: [], pending: true,
      generated: 0, timing: {start: Date.now()}};
    c.messages.push(answer);
    c.updated = Date.now();
    save();
    renderAll();
    const view = lastView();
    let body;
    try {
      body = requestBody(c, model);
    } catch (e) {
      finish(answer, view, 'The extra request fields are not a JSON object: ' + e.message);
      return;
    }
    const controller = new AbortController();
    running = {controller, conversation: c.id};
    updateComposer();
    try {
      const response = await fetch('/v1/chat/completions', {method: 'POST', signal: controller.signal,
        headers: Hearth.headers({'Content-Type': 'application/json', Accept: 'text/event-stream'}),
        body: JSON.stringify(body)});
      if (!response.ok) {
        const message = await Hearth.errorMessage(response);
        finish(answer, view, 'The server answered ' + response.status + ': ' + message
          + (response.status === 401 ? ' Set the API key in Settings.' : ''));
        return;
      }
      await readStream(response, answer, view);
      finish(answer, view, null);
    } catch (e) {
      if (e.name === 'AbortError') {
        answer.finish = 'stopped';
        finish(answer, view, null);
      } else {
        finish(answer, view, 'The server cannot be reached or the stream broke (' + e.message + ').');
      }
    }
  }

  function lastView() {
    const box = $('messages');
    const c = conversation();
    const m = c.messages[c.messages.length - 1];
    const view = messageView(m);
    box.lastElementChild.replaceWith(view.root);
    return view;
  }

  function finish(answer, view, error) {
    answer.pending = false;
    if (error) {
      answer.error = error;
    }
    running = null;
    save();
    view.update();
    updateComposer();
    scrollDown();
  }

  /** Reads the SSE stream: content, reasoning and tool-call deltas, finish reason, usage, in-stream errors. */
  async function readStream(response, answer, view) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let scheduled = false;
    const redraw = () => {
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(() => {
          scheduled = false;
          view.update();
          scrollDown();
        });
      }
    };
    for (;;) {
      const {value, done} = await reader.read();
      if (done) {
        break;
      }
      buffer += decoder.decode(value, {stream: true});
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

  function scrollDown() {
    const box = $('messages');
    box.scrollTop = box.scrollHeight;
  }

  function updateComposer() {
    const busy = running !== null;
    $('send').hidden = busy;
    $('stop').hidden = !busy;
  }

  function showComposerError(message) {
    const box = $('messages');
    const note = el('div', 'error notice', message);
    box.appendChild(note);
    scrollDown();
  }

  // ----- models -----

  async function loadModels() {
    const select = $('model');
    try {
      const list = await Hearth.getJson('/v1/models');
      select.replaceChildren();
      for (const m of list.data || []) {
        const option = el('option', null, m.id);
        option.value = m.id;
        select.appendChild(option);
      }
      if (settings.model && [...select.options].some(o => o.value === settings.model)) {
        select.value = settings.model;
      }
      select.disabled = select.options.length === 0;
      if (select.options.length === 0) {
        select.appendChild(el('option', null, 'no models loaded'));
      }
    } catch (e) {
      select.replaceChildren(el('option', null, e.status === 401 ? 'API key needed' : 'unavailable'));
      select.disabled = true;
      if (e.status === 401) {
        openSettings();
        $('api-key').focus();
      }
      showComposerError('Cannot list the models: ' + e.message
        + (e.status === 401 ? ' Enter the API key in Settings.' : ''));
    }
  }

  // ----- settings -----

  function openSettings() {
    $('settings').hidden = false;
    $('toggle-settings').setAttribute('aria-expanded', 'true');
  }

  function bindSettings() {
    const fields = {system: 'system-prompt', temperature: 'temperature', topP: 'top-p', maxTokens: 'max-tokens',
      extra: 'extra-json'};
    for (const [name, id] of Object.entries(fields)) {
      const input = $(id);
      input.value = settings[name] || '';
      input.addEventListener('input', () => {
        settings[name] = input.value;
        localStorage.setItem(SETTINGS, JSON.stringify(settings));
        if (name === 'extra') {
          input.classList.toggle('invalid', !validExtra(input.value));
        }
      });
    }
    const key = $('api-key');
    key.value = Hearth.apiKey();
    key.addEventListener('change', () => {
      Hearth.setApiKey(key.value.trim());
      loadModels();
    });
    $('toggle-settings').addEventListener('click', () => {
      const panel = $('settings');
      panel.hidden = !panel.hidden;
      $('toggle-settings').setAttribute('aria-expanded', String(!panel.hidden));
    });
    $('model').addEventListener('change', () => {
      settings.model = $('model').value;
      localStorage.setItem(SETTINGS, JSON.stringify(settings));
    });
  }

  function validExtra(text) {
    if (!text.trim()) {
      return true;
    }
    try {
      const value = JSON.parse(text);
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    } catch (e) {
      return false;
    }
  }

  // ----- composer -----

  function bindComposer() {
    const input = $('input');
    const submit = () => {
      const text = input.value;
      if (!text.trim() || running) {
        return;
      }
      input.value = '';
      autosize();
      send(text);
    };
    const autosize = () => {
      input.style.height = 'auto';
      input.style.height = Math.min(input.scrollHeight, 240) + 'px';
    };
    input.addEventListener('input', autosize);
    autosize();
    input.addEventListener('keydown', e => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        submit();
      }
    });
    $('composer').addEventListener('submit', e => {
      e.preventDefault();
      submit();
    });
    $('stop').addEventListener('click', () => {
      if (running) {
        running.controller.abort();
      }
    });
    $('new-chat').addEventListener('click', () => {
      newConversation();
      renderAll();
      input.focus();
    });
  }

  const emptyState = $('empty');
  bindSettings();
  bindComposer();
  if (!conversation()) {
    current = conversations.length ? conversations[0].id : null;
  }
  for (const c of conversations) {
    for (const m of c.messages) {
      if (m.pending) {  // the page was closed mid-answer
        m.pending = false;
        m.finish = m.finish || 'interrupted';
      }
    }
  }
  renderAll();
  loadModels();
  $('input').focus();
})();
