import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

// The page's CSP allows <style> elements only with this response's nonce; the terminal (xterm.js) creates its own,
// so every <style> made by script gets it. The nonce is readable by this page's scripts only (it is per response).
const nonce = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce ?? '';
const createElement = document.createElement.bind(document);
function createWithNonce(tag: string, options?: ElementCreationOptions): HTMLElement {
  const el: HTMLElement = createElement(tag, options);
  if (tag.toLowerCase() === 'style' && nonce !== '') el.nonce = nonce;
  return el;
}
document.createElement = createWithNonce;

render(<App />, document.getElementById('app')!);
