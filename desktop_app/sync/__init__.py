"""USB sync between township PCs and the district (issue #12; design in docs and SYNC.md).

Qt-free. Importing this package registers the district database's refusal of local edits
(``district_guard``) on every Session.
"""

from desktop_app.sync import district_guard as district_guard  # registers the before_flush hook
