"""Organisation (layer 2, above core): companies, projects (管理处), departments, staff and their roles.

Owns: ``Company``, ``Project``, ``Department``, ``User``, ``Membership`` and the role/capability table
(``roles.py``); who may see and do what (``access.py``: visible projects, ``has_cap``); the current
project of a request (``middleware.py``) and the typed request of the pages (``http.py``); the staff
directory (``directory.py``, page ``org:directory``, API ``/api/v1/org``).

Actions: none outside the admin (companies, projects, departments and memberships are maintained
there by system administrators).

Reactions: none (org calls no other app; every app above reads it).
"""
