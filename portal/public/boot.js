// Starts /api/me while the page is still parsed, before the main bundle has downloaded, when the token is at hand:
// the local sign-in's token in sessionStorage, with the settings the local host wrote into the page. The portal's
// API client takes the answer (src/api/prefetch.ts). Served as built elsewhere (no settings in the page): nothing.
(function () {
  try {
    var settings = document.getElementById('portal-config');
    var token = sessionStorage.getItem('portal.token');
    if (!settings || !token || JSON.parse(settings.textContent).authMode !== 'local') return;
    window.__portalMe = {
      answer: fetch('/api/me', { headers: { authorization: 'Bearer ' + token } }),
      at: Date.now(),
    };
  } catch (e) {
    // No prefetch: the portal asks for /api/me itself.
  }
})();
