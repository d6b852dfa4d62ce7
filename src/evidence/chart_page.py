"""Interactive chart pages that work offline and cannot run text from the data.

vl-convert's own HTML inlines the spec as raw JSON inside a <script> block, so a title or
label holding `</script>` would end the block and run as markup. Here the spec travels in a
`<script type="application/json">` element with every `<`, `>` and `&` (and the JavaScript
line separators) escaped as \\uXXXX, which JSON.parse reads back unchanged; the page title is
HTML-escaped; the Vega bundle is inlined, so nothing is fetched from another host.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from typing import Any

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px}}#vega-chart{{width:100%}}</style>
<script>{bundle}</script>
</head>
<body>
<div id="vega-chart" role="img" aria-label="{title}"></div>
<script type="application/json" id="vega-spec">{spec}</script>
<script>
vegaEmbed('#vega-chart', JSON.parse(document.getElementById('vega-spec').textContent),
          {{renderer: 'svg', actions: false}}).catch(function (err) {{
  document.getElementById('vega-chart').textContent = 'The chart could not be drawn: ' + err;
}});
</script>
</body>
</html>
"""


def script_safe_json(value: Any) -> str:
    """JSON text that cannot close or open markup when placed inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "".join(_JSON_ESCAPES.get(ch, ch) for ch in text)


@lru_cache(maxsize=1)
def _bundle() -> str:
    import vl_convert as vlc

    bundle = vlc.javascript_bundle()
    if "</script" in bundle.lower():  # would end the inline block early; never seen, but checked
        raise RuntimeError("the Vega bundle contains '</script' and cannot be inlined safely")
    return bundle


def interactive_html(spec: dict[str, Any], title: str) -> str:
    """A self-contained page drawing the Vega-Lite spec with tooltips, offline."""
    return PAGE.format(title=html.escape(title), bundle=_bundle(), spec=script_safe_json(spec))
