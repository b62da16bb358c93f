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
        box.appendChild(MessageView.create(m).root);
      }
    }
    box.scrollTop = box.scrollHeight;
    updateComposer();
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
      await ChatStream.read(response, answer, () => {
        view.update();
        scrollDown();
      });
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
    const view = MessageView.create(m);
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
