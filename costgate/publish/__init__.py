"""Publishing a report: one sticky comment on a pull request, on GitHub, GitLab,
Bitbucket Cloud or Azure Repos.

``model.py`` (records), ``marker.py`` (the marker line, tags, truncation), ``http.py``
(the one HTTP client: timeouts, retries with backoff, pagination guards),
``sticky.py`` (what to write, and doing it), and one module per platform, registered in
``platforms.PLATFORMS``. The layer sits between ``report/`` and ``cli/``: it reads no
repository and never imports click.
"""
