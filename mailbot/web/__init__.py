"""The staff pages: server-rendered Vietnamese pages over the register (Flask + Jinja2, no front-end build)."""
