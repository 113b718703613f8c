// What the page tells the person in front of it: the banner (gate down, live connection lost), toasts, the
// sign-in form, and reportError, which picks one of them for an error. Every view imports these from here.

import { $, h } from './dom.js';
import { state } from './state.js';
import { AuthError, GateDown } from './gate.js';

export function showLogin(message) {
  $('app').hidden = true;
  $('login').hidden = false;
  const error = $('login-error');
  error.hidden = !message;
  error.textContent = message ?? '';
  $('login-key').focus();
}

export function setOnline(online) {
  state.online = online;
  document.body.classList.toggle('offline', !online && state.connectedOnce);
  const badge = $('live');
  badge.dataset.state = online ? 'live' : 'offline';
  badge.textContent = online ? 'live' : 'offline';
  if (online) hideBanner();
  else if (state.connectedOnce) {
    showBanner(
      `The gate is not answering (connection lost at ${new Date().toLocaleTimeString()}). ` +
        'Retrying; the page catches up by itself when the gate is back.',
    );
  } else showBanner('Cannot open the live connection to the gate. Retrying…');
}

export function showBanner(text) {
  const banner = $('banner');
  banner.hidden = false;
  banner.textContent = text;
}

export function hideBanner() {
  $('banner').hidden = true;
}

export function reportError(error) {
  if (error instanceof GateDown) return setOnline(false);
  if (error instanceof AuthError) return showLogin(error.message);
  toast(error.message, true);
}

export function toast(text, isError = false) {
  const el = h('div', { class: `toast ${isError ? 'toast-error' : ''}`, role: 'status' }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), isError ? 6000 : 3000);
}
