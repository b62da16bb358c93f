'use strict';
// Model text to safe HTML: markdown by marked, then DOMPurify (no script, no event handlers, no images or forms that
// could run or leak anything), code highlighted by highlight.js. Raw model text never reaches innerHTML.
const Render = (() => {
  marked.setOptions({gfm: true, breaks: true});

  const PURIFY = {
    USE_PROFILES: {html: true},
    // images and media would fetch URLs the model chose (a way to leak the conversation); forms could post it
    FORBID_TAGS: ['img', 'picture', 'video', 'audio', 'source', 'iframe', 'object', 'embed', 'form', 'input',
      'button', 'textarea', 'select', 'style', 'link', 'meta', 'base', 'svg', 'math'],
    FORBID_ATTR: ['style', 'srcset', 'action', 'formaction', 'background', 'poster'],
    ALLOW_DATA_ATTR: false,
  };

  DOMPurify.addHook('afterSanitizeAttributes', node => {
    if (node.tagName === 'A') {
      const href = node.getAttribute('href') || '';
      if (!/^(https?:|mailto:|#)/i.test(href)) {
        node.removeAttribute('href');
      }
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  });

  function markdown(target, text) {
    const html = DOMPurify.sanitize(marked.parse(text || ''), PURIFY);
    target.innerHTML = html;  // sanitized above
    for (const code of target.querySelectorAll('pre code')) {
      hljs.highlightElement(code);
      addCopyButton(code.parentElement, () => code.textContent);
    }
  }

  function addCopyButton(container, text) {
    const button = Hearth.el('button', 'copy', 'Copy');
    button.type = 'button';
    button.title = 'Copy to the clipboard';
    button.addEventListener('click', async () => {
      await copyText(text());
      button.textContent = 'Copied';
      setTimeout(() => { button.textContent = 'Copy'; }, 1200);
    });
    container.classList.add('has-copy');
    container.appendChild(button);
    return button;
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      // no clipboard API (plain http on another host): the old way
      const area = Hearth.el('textarea');
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
  }

  /** A JSON string pretty-printed when it parses, else as is; shown as highlighted text. */
  function json(target, text) {
    let shown = text || '';
    try {
      shown = JSON.stringify(JSON.parse(text), null, 2);
    } catch (e) {
      // partial or invalid JSON while streaming: show the text
    }
    const code = Hearth.el('code', 'language-json', shown);
    const pre = Hearth.el('pre');
    pre.appendChild(code);
    target.replaceChildren(pre);
    hljs.highlightElement(code);
  }

  return {markdown, json, addCopyButton, copyText};
})();
