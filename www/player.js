// <warren-player>: Warren's embed player as a custom element, for docs pages
// that would rather not use an iframe.
//
//   <script type="module" src="/www/player.js"></script>
//   <warren-player src="scenarios/fanout.json" lang="zh" autoplay speed="2"
//                  panels="diagram,log"></warren-player>
//
// Attributes mirror the embed player's URL parameters (src, lang, autoplay,
// speed, panels, readonly; see src/ui/scenario.rs). `src` is a path on the
// page's own site, resolved against the page like any link. Each element is a
// player with its own broker in memory; every element on the page shares the
// one WebAssembly module, loaded once on the first one. The player lives in a
// shadow root with its own copy of the workbench's stylesheet, so the page's
// styles don't reach it and its styles don't leak out. Size the element with
// CSS (it defaults to a 16:9 box at most 800 pixels wide: the player is
// designed for 640×360 to 800×450).

const here = new URL('.', import.meta.url);
const moduleUrl = new URL('../pkg/warren.js', here);
const styleUrl = new URL('style.css', here);
const workbenchUrl = new URL('../index.html', here);

/** The attributes passed through as the player's options. */
const OPTIONS = ['src', 'lang', 'autoplay', 'speed', 'panels', 'readonly'];

let warren; // the module, initialised once for every player on the page
function loadWarren() {
  warren ??= import(moduleUrl.href).then(async (m) => {
    await m.default();
    return m;
  });
  return warren;
}

const HOST_STYLE = `
  :host { display: block; position: relative; width: 100%; max-width: 800px;
          aspect-ratio: 16 / 9; min-height: 300px; contain: content; }
  :host([hidden]) { display: none; }
  .mount { height: 100%; }
  .mount > .wb.embed { height: 100%; }
  .player-error { padding: 12px; font: 14px system-ui, sans-serif; color: #c4322c; }
`;

class WarrenPlayer extends HTMLElement {
  static get observedAttributes() { return OPTIONS; }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.handle = null;
    this.generation = 0;
  }

  connectedCallback() { this.remount(); }

  disconnectedCallback() {
    this.generation += 1;
    this.unmount();
  }

  attributeChangedCallback(_name, before, after) {
    if (before !== after && this.isConnected && this.handle) this.remount();
  }

  /** The attributes as URL parameters (`src=…&autoplay&speed=2`). */
  options() {
    const query = new URLSearchParams();
    for (const name of OPTIONS) {
      const value = this.getAttribute(name);
      if (value === null) continue;
      // A bare boolean attribute (`autoplay`) means on; `src` resolves
      // against the page, so the player fetches what the author meant.
      if (name === 'src') query.set(name, new URL(value, document.baseURI).pathname);
      else query.set(name, value === '' ? '1' : value);
    }
    return query.toString();
  }

  unmount() {
    if (this.handle) {
      this.handle.unmount();
      this.handle.free();
      this.handle = null;
    }
  }

  async remount() {
    const generation = ++this.generation;
    const shadow = this.shadowRoot;
    const sheet = document.createElement('link');
    sheet.rel = 'stylesheet';
    sheet.href = styleUrl.href;
    const style = document.createElement('style');
    style.textContent = HOST_STYLE;
    const mount = document.createElement('div');
    mount.className = 'mount';
    try {
      const m = await loadWarren();
      if (generation !== this.generation) return; // removed or changed meanwhile
      this.unmount();
      shadow.replaceChildren(sheet, style, mount);
      this.handle = m.mountPlayer(mount, this.options(), workbenchUrl.pathname);
    } catch (e) {
      if (generation !== this.generation) return;
      const message = document.createElement('p');
      message.className = 'player-error';
      message.textContent = `Warren could not start here: ${e && e.message ? e.message : e}`;
      shadow.replaceChildren(style, message);
    }
  }
}

if (!customElements.get('warren-player')) customElements.define('warren-player', WarrenPlayer);
