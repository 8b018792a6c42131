"""The default theme: Jinja2 templates and static files, shipped inside the package as
`builder.default_theme` (pyproject maps this folder there). A project's own templates/ folder
overrides these files one by one."""
