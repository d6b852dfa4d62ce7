# Sphinx configuration of the published site (copied by evidence.publish; not edited by hand).
# The notebooks arrive executed by `evidence build`: Sphinx and MyST-NB only render them.
project = "IVIG in myositis: the evidence"
author = "evidence contributors"
copyright = "evidence contributors"
root_doc = "index"
extensions = ["myst_nb", "sphinxcontrib.bibtex"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

nb_execution_mode = "off"
nb_remove_code_source = True
nb_output_stderr = "remove"
nb_merge_streams = True
nb_render_markdown_format = "myst"
# Outputs that carry an inert Markdown twin (captions, summaries, bibliographies) are rendered from it,
# so their citations become numbered links; tables keep their escaped HTML.
nb_mime_priority_overrides = [("html", "text/markdown", 25)]
nb_ipywidgets_js = {}
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
# Labels restart at 1 on every page by design; entries without verified authors are listed by title.
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header", "bibtex.duplicate_label", "bibtex.missing_field"]

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "unsrt"
bibtex_reference_style = "label"

html_theme = "sphinx_book_theme"
html_title = "IVIG in myositis: the evidence"
html_static_path = ["_static"]
html_css_files = ["evidence.css"]
html_extra_path = ["_extra"]
html_copy_source = False
html_show_sourcelink = False
html_show_sphinx = False
html_permalinks_icon = "#"
html_last_updated_fmt = None
html_theme_options = {
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "use_sidenotes": False,
    "search_bar_text": "Search the evidence",
    "navigation_with_keys": False,
    "secondary_sidebar_items": [],
}
html_context = {"default_mode": "light"}
# layout.html re-escapes the page title the theme prints in its print-only header.
templates_path = ["_templates"]
