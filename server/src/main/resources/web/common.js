'use strict';
// Shared by the chat and the dashboard: the API key kept in this browser, and JSON requests that carry it.
const Hearth = (() => {
  const KEY = 'hearth.apiKey';

  function apiKey() {
    return localStorage.getItem(KEY) || '';
  }

  function setApiKey(value) {
    if (value) {
      localStorage.setItem(KEY, value);
    } else {
      localStorage.removeItem(KEY);
    }
  }

  function headers(extra) {
    const h = Object.assign({}, extra || {});
    const key = apiKey();
    if (key) {
      h.Authorization = 'Bearer ' + key;
    }
    return h;
  }

  /** The error message of a failed response: OpenAI's shape, Ollama's, or the status line. */
  async function errorMessage(response) {
    let text = '';
    try {
      text = await response.text();
      const body = JSON.parse(text);
      if (body && body.error) {
        return typeof body.error === 'string' ? body.error : (body.error.message || JSON.stringify(body.error));
      }
    } catch (e) {
      // not JSON: fall through to the text or status
    }
    return text ? text.slice(0, 300) : 'HTTP ' + response.status + ' ' + response.statusText;
  }

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function getJson(path) {
    let response;
    try {
      response = await fetch(path, {headers: headers({Accept: 'application/json'}), cache: 'no-store'});
    } catch (e) {
      throw new HttpError(0, 'The server cannot be reached (' + e.message + ').');
    }
    if (!response.ok) {
      throw new HttpError(response.status, await errorMessage(response));
    }
    return response.json();
  }

  /** Creates an element with a class and text (never HTML). */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  return {apiKey, setApiKey, headers, errorMessage, getJson, HttpError, el};
})();
