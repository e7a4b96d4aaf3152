"""In the app, a page whose kernel is gone says so plainly and offers to reload.

A page's kernel is shut down when nothing was connected to it for a while (``kamlib.server_config.Culling``:
a laptop asleep, a network gone), or when the server stopped. Voila then shows nothing: the forms simply stop
answering. A small script on each app page asks the server, every 30 s while the page is in view, when it comes
back into view and at each click or key, whether its kernel still exists (``GET api/kernels/<id>``, marked as no
activity so that a page left open does not keep a hub's server awake); when not, a bar across the top says that
the page must be reloaded, with a button to do it. The texts come from the catalogs in the page's language,
through a hidden widget that follows a language switch.
"""

from __future__ import annotations

import html
from typing import Any

from IPython.display import HTML, display

from kamlib.i18n import Lang, t

WATCH_SECONDS = 30

SCRIPT = """<script>
(function () {
  if (window.kamReloadWatch) { return; }
  var config = document.getElementById("jupyter-config-data");
  if (!config) { return; }
  var data = JSON.parse(config.textContent);
  if (!data.kernelId) { return; }
  window.kamReloadWatch = true;
  var url = (data.baseUrl || "/") + "api/kernels/" + data.kernelId + "?no_track_activity=1";
  var last = 0, bar = null, gone = false;
  function show() {
    if (bar) { return; }
    var source = document.querySelector(".kam-reload-text");
    bar = document.createElement("div");
    bar.className = "kam-reload-notice";
    bar.setAttribute("role", "alert");
    bar.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:10000;background:#fff4e5;"
      + "border-bottom:4px solid #D55E00;padding:10px 16px;font-size:15px;color:#000";
    var text = document.createElement("span");
    text.textContent = "\\u26a0 " + (source ? source.dataset.text : "");
    var button = document.createElement("button");
    button.textContent = source ? source.dataset.button : "\\u27f3";
    button.style.marginLeft = "12px";
    button.addEventListener("click", function () { window.location.reload(); });
    bar.appendChild(text);
    bar.appendChild(button);
    document.body.appendChild(bar);
  }
  function hide() { if (bar && !gone) { bar.remove(); bar = null; } }
  function check() {
    var now = Date.now();
    if (gone || now - last < 2000) { return; }
    last = now;
    fetch(url, {credentials: "same-origin", cache: "no-store"}).then(function (reply) {
      if (reply.ok) { hide(); return; }
      gone = reply.status === 404;
      show();
    }).catch(show);
  }
  setInterval(function () { if (!document.hidden) { check(); } }, WATCH_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { check(); } });
  window.addEventListener("pageshow", check);
  window.addEventListener("online", check);
  ["click", "change", "keydown"].forEach(function (kind) { document.addEventListener(kind, check, true); });
})();
</script>""".replace("WATCH_MS", str(WATCH_SECONDS * 1000))


def notice_markup(lang: Lang) -> str:
    """The hidden element the script takes its texts from."""
    text = html.escape(t("page.reload.notice", lang), quote=True)
    button = html.escape(t("page.reload.button", lang), quote=True)
    return f'<span class="kam-reload-text" data-text="{text}" data-button="{button}"></span>'


class ReloadNotice:
    """The texts of the bar, as a hidden widget relabelled with the page (``Page.form``)."""

    def __init__(self, lang: Lang) -> None:
        import ipywidgets as w

        self.widget: Any = w.HTML(layout=w.Layout(display="none"))
        self.relabel(lang)

    def relabel(self, lang: Lang) -> None:
        self.widget.value = notice_markup(lang)


def install(page: Any) -> ReloadNotice:
    """Put the watch and its texts on an app page (``page.live``)."""
    display(HTML(SCRIPT))
    return page.form(ReloadNotice(page.lang))
