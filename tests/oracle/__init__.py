"""One oracle for every figure (DESIGN section 2): a reference model in plain Python over
plain rows (`model`), a seeded generator of messy worlds (`world`), a loader that writes a
world into the database (`load`) and readers of what the platform publishes (`platform`).

`model` and `world` import nothing from Django: they are the specification in code.
"""
