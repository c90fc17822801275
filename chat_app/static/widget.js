/*!
 * 永济规划助手 — embeddable chat widget (no dependencies, plain ES2017).
 *
 * Usage on any page:
 *   <script src="https://HOST/widget.js" data-title="永济规划助手"
 *           data-accent="#07c160" data-welcome="您好，请问…"
 *           data-starters="孩子上学有哪些新学校要建？|看病就医会有什么改善？"
 *           data-doc="yongji-14" defer></script>
 *
 * Adds a round bubble (bottom-right) that opens a panel with an iframe to
 * `${origin}/embed?title=…&accent=…&welcome=…[&starters=…]`, where origin is the origin this
 * script was loaded from. data-starters: up to 4 one-tap example questions, '|' separated
 * (each cut to 40 characters by the chat page).
 *
 * Opening the panel puts the focus in the chat's input. On narrow screens (≤ 480 px) the panel
 * covers the page: the page stops scrolling while it is open, and Tab / Shift+Tab stay inside it
 * (the chat page traps them; a focus that still lands on the page is sent back). Escape or the
 * panel's × closes it and returns the focus to the bubble. Everything lives in a Shadow DOM (class names are
 * additionally prefixed with "pa-") so the host page's CSS cannot break it.
 * No attribute or user data is ever parsed as HTML (textContent / setAttribute only).
 *
 * Small API: window.PlanAssistantWidget.open() / .close() / .toggle() / .isOpen()
 */
(function () {
  'use strict';

  // Must be read synchronously: document.currentScript is null inside callbacks.
  const SCRIPT = findOwnScript();

  if (window.PlanAssistantWidget) return; // already loaded on this page

  const DEFAULTS = {
    title: '永济规划助手',
    accent: '#07c160',
    welcome: '您好！我可以回答关于永济市“十四五”规划的问题。',
  };
  const MAX_ATTR_CHARS = 300;
  const FULLSCREEN_QUERY = '(max-width: 480px)'; // keep in step with the @media rule in CSS_TEXT
  const SVG_NS = 'http://www.w3.org/2000/svg';

  function findOwnScript() {
    const cs = document.currentScript;
    if (cs && cs.src) return cs;
    const scripts = document.getElementsByTagName('script');
    for (let i = scripts.length - 1; i >= 0; i--) {
      const src = (scripts[i].getAttribute('src') || '').split(/[?#]/)[0];
      if (/(^|\/)widget\.js$/.test(src)) return scripts[i];
    }
    return null;
  }

  function attr(name, fallback) {
    if (!SCRIPT) return fallback;
    const raw = SCRIPT.getAttribute(name);
    if (raw === null) return fallback;
    const value = raw.trim().slice(0, MAX_ATTR_CHARS);
    return value || fallback;
  }

  function serverOrigin() {
    try {
      if (SCRIPT && SCRIPT.src) {
        const origin = new URL(SCRIPT.src, document.baseURI).origin;
        if (origin && origin !== 'null') return origin;
      }
    } catch (e) { /* fall through */ }
    return window.location.origin;
  }

  function isColor(value) {
    try {
      return !!(window.CSS && CSS.supports && CSS.supports('color', value));
    } catch (e) {
      return false;
    }
  }

  // Pick black or white foreground for the accent colour, whichever contrasts more.
  function foregroundFor(color, probeParent) {
    const probe = document.createElement('span');
    probe.style.color = color;
    probe.style.display = 'none';
    probeParent.appendChild(probe);
    const rgb = (getComputedStyle(probe).color.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
    probe.remove();
    if (rgb.length < 3) return '#ffffff';
    const lin = rgb.map(function (c) {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    const L = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    return (1.05 / (L + 0.05)) >= ((L + 0.05) / 0.05) ? '#ffffff' : '#111111';
  }

  const config = {
    title: attr('data-title', DEFAULTS.title),
    accent: attr('data-accent', DEFAULTS.accent),
    welcome: attr('data-welcome', DEFAULTS.welcome),
    starters: attr('data-starters', null), // null: the chat page's own examples
    doc: attr('data-doc', ''), // library document ids, comma separated ("" = all documents)
    origin: serverOrigin(),
  };
  if (!isColor(config.accent)) config.accent = DEFAULTS.accent;

  function embedUrl() {
    return config.origin + '/embed' +
      '?title=' + encodeURIComponent(config.title) +
      '&accent=' + encodeURIComponent(config.accent) +
      '&welcome=' + encodeURIComponent(config.welcome) +
      (config.starters !== null ? '&starters=' + encodeURIComponent(config.starters) : '') +
      (config.doc ? '&doc=' + encodeURIComponent(config.doc) : '');
  }

  const CSS_TEXT = [
    ':host { all: initial; }',
    '.pa-root, .pa-root * { box-sizing: border-box; }',
    '.pa-bubble {',
    '  position: fixed; right: 20px; bottom: 20px; z-index: 2147483647;',
    '  width: 56px; height: 56px; margin: 0; padding: 0; border: 0; border-radius: 50%;',
    '  display: flex; align-items: center; justify-content: center; cursor: pointer;',
    '  background: var(--pa-accent); color: var(--pa-fg);',
    '  box-shadow: 0 4px 14px rgba(0, 0, 0, .25); transition: transform .15s ease;',
    '  -webkit-tap-highlight-color: transparent;',
    '}',
    '.pa-bubble:hover { transform: scale(1.06); }',
    // a dark ring with a light halo (light theme) reads on any host background
    '.pa-bubble:focus-visible { outline: 3px solid #111111; outline-offset: 2px;',
    '  box-shadow: 0 0 0 2px #ffffff, 0 4px 14px rgba(0, 0, 0, .25); }',
    '.pa-bubble svg { width: 28px; height: 28px; display: block; fill: currentColor; }',
    '.pa-bubble .pa-icon-close { display: none; }',
    '.pa-open .pa-bubble .pa-icon-chat { display: none; }',
    '.pa-open .pa-bubble .pa-icon-close { display: block; }',
    '.pa-panel {',
    '  position: fixed; right: 20px; bottom: 88px; z-index: 2147483646;',
    '  width: 360px; height: 560px; max-width: calc(100vw - 40px); max-height: calc(100vh - 108px);',
    '  border-radius: 12px; overflow: hidden; background: #ededed;',
    '  box-shadow: 0 8px 30px rgba(0, 0, 0, .28); display: none;',
    '}',
    '.pa-open .pa-panel { display: block; }',
    '.pa-frame { display: block; width: 100%; height: 100%; border: 0; margin: 0; padding: 0; background: #ededed; }',
    '@media (max-width: 480px) {',
    '  .pa-panel { top: 0; left: 0; right: 0; bottom: 0; width: 100%; height: 100%;',
    '              max-width: none; max-height: none; border-radius: 0; box-shadow: none; }',
    '  .pa-open .pa-bubble { display: none; }',
    '}',
    '@media (prefers-color-scheme: dark) {',
    '  .pa-panel, .pa-frame { background: #111111; }',
    '  .pa-panel { box-shadow: 0 8px 30px rgba(0, 0, 0, .6); outline: 1px solid #2f2f2f; }',
    '  .pa-bubble { box-shadow: 0 4px 14px rgba(0, 0, 0, .6); }',
    '  .pa-bubble:focus-visible { outline-color: #ffffff; box-shadow: 0 0 0 2px #111111, 0 4px 14px rgba(0, 0, 0, .6); }',
    '}',
    '@media print { .pa-root { display: none; } }',
  ].join('\n');

  function svgIcon(className, pathData) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('class', className);
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', pathData);
    svg.appendChild(path);
    return svg;
  }

  let root = null;
  let host = null;
  let frame = null;
  let bubble = null;
  let opened = false;
  let savedScroll = null; // the page's own overflow styles while the full-screen panel locks them
  const narrow = window.matchMedia ? window.matchMedia(FULLSCREEN_QUERY) : null;

  function fullscreen() { return !!(narrow && narrow.matches); }

  function toFrame(message) {
    try {
      if (frame && frame.contentWindow) frame.contentWindow.postMessage(message, config.origin);
    } catch (e) { /* not loaded yet: the chat page asks with pa-ready */ }
  }

  // Focus the chat's input: the iframe first (so keys go to it), then the page inside moves it to its input.
  function focusChat() {
    try { frame.focus(); } catch (e) { /* ignore */ }
    toFrame({ type: 'pa-focus' });
  }

  function lockScroll(on) {
    const html = document.documentElement;
    const body = document.body;
    if (on && savedScroll === null) {
      savedScroll = [html.style.overflow, body ? body.style.overflow : ''];
      html.style.overflow = 'hidden';
      if (body) body.style.overflow = 'hidden';
    } else if (!on && savedScroll !== null) {
      html.style.overflow = savedScroll[0];
      if (body) body.style.overflow = savedScroll[1];
      savedScroll = null;
    }
  }

  // Full screen (narrow) vs floating panel: scroll lock and focus trap only apply to the former.
  function syncMode() {
    lockScroll(opened && fullscreen());
    toFrame({ type: 'pa-mode', fullscreen: opened && fullscreen() });
  }

  function setOpen(next) {
    if (!root) return;
    opened = !!next;
    if (opened && !frame.getAttribute('src')) frame.setAttribute('src', embedUrl()); // lazy load
    root.classList.toggle('pa-open', opened);
    bubble.setAttribute('aria-expanded', opened ? 'true' : 'false');
    syncMode();
    if (opened) {
      focusChat();
    } else if (document.activeElement && document.activeElement.closest &&
               document.activeElement.closest('#pa-widget-host')) {
      bubble.focus();
    }
  }

  function mount() {
    if (document.getElementById('pa-widget-host')) return;
    host = document.createElement('div');
    host.id = 'pa-widget-host';
    host.setAttribute('data-pa-widget', '');
    // Inline !important beats any host stylesheet rule aimed at our host element.
    host.style.cssText = 'all: initial !important; display: block !important; position: static !important;' +
      'width: 0 !important; height: 0 !important; transform: none !important; filter: none !important;' +
      'contain: none !important; z-index: 2147483647 !important;';
    (document.body || document.documentElement).appendChild(host);

    const shadow = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;

    const style = document.createElement('style');
    style.textContent = CSS_TEXT;
    shadow.appendChild(style);

    root = document.createElement('div');
    root.className = 'pa-root';
    root.style.setProperty('--pa-accent', config.accent);
    root.style.setProperty('--pa-fg', foregroundFor(config.accent, shadow));

    const panel = document.createElement('div');
    panel.className = 'pa-panel';
    panel.id = 'pa-panel';
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', config.title);

    frame = document.createElement('iframe');
    frame.className = 'pa-frame';
    frame.setAttribute('title', config.title);
    frame.setAttribute('referrerpolicy', 'strict-origin-when-cross-origin');
    frame.setAttribute('allow', 'clipboard-write'); // the chat's 复制 buttons
    panel.appendChild(frame);

    bubble = document.createElement('button');
    bubble.type = 'button';
    bubble.id = 'pa-bubble';
    bubble.className = 'pa-bubble';
    bubble.setAttribute('aria-label', '打开规划助手');
    bubble.setAttribute('title', config.title);
    bubble.setAttribute('aria-controls', 'pa-panel');
    bubble.setAttribute('aria-expanded', 'false');
    bubble.appendChild(svgIcon('pa-icon-chat',
      'M12 3C6.5 3 2 6.6 2 11c0 2.4 1.3 4.6 3.5 6.1L4.6 21l4.2-2.3c1 .2 2.1.3 3.2.3 5.5 0 10-3.6 10-8s-4.5-8-10-8zm-4 9.3a1.3 1.3 0 1 1 0-2.6 1.3 1.3 0 0 1 0 2.6zm4 0a1.3 1.3 0 1 1 0-2.6 1.3 1.3 0 0 1 0 2.6zm4 0a1.3 1.3 0 1 1 0-2.6 1.3 1.3 0 0 1 0 2.6z'));
    bubble.appendChild(svgIcon('pa-icon-close',
      'M18.3 5.7a1 1 0 0 0-1.4 0L12 10.6 7.1 5.7a1 1 0 0 0-1.4 1.4l4.9 4.9-4.9 4.9a1 1 0 1 0 1.4 1.4l4.9-4.9 4.9 4.9a1 1 0 0 0 1.4-1.4L13.4 12l4.9-4.9a1 1 0 0 0 0-1.4z'));
    bubble.addEventListener('click', function () { setOpen(!opened); });

    root.appendChild(panel);
    root.appendChild(bubble);
    shadow.appendChild(root);

    // The embedded page asks to be closed (its header has a close button when framed).
    window.addEventListener('message', function (event) {
      if (!frame || event.source !== frame.contentWindow || event.origin !== config.origin) return;
      const data = event.data;
      if (!data || typeof data !== 'object') return;
      if (data.type === 'pa-close') setOpen(false);
      else if (data.type === 'pa-ready' && opened) { syncMode(); focusChat(); }
    });
    document.addEventListener('keydown', function (event) {
      if (opened && event.key === 'Escape') setOpen(false);
    });
    // Full screen: a focus that reaches the page behind the panel is sent back into the chat.
    document.addEventListener('focusin', function (event) {
      if (!opened || !fullscreen() || event.target === host) return;
      if (host.contains(event.target)) return;
      focusChat();
    }, true);
    if (narrow) {
      const onChange = function () { if (opened) syncMode(); };
      if (narrow.addEventListener) narrow.addEventListener('change', onChange);
      else if (narrow.addListener) narrow.addListener(onChange);
    }
  }

  window.PlanAssistantWidget = {
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    toggle: function () { setOpen(!opened); },
    isOpen: function () { return opened; },
    config: Object.freeze(Object.assign({}, config)),
  };

  if (document.body) {
    mount();
  } else {
    document.addEventListener('DOMContentLoaded', mount, { once: true });
  }
})();
