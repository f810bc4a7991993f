"""Overviews on top of every feature: the dashboard of each role (the home page), the
institution file (一户一档), the public inspection results (一公开) with the public page of
each institution, their open data and the read-only API (/api/v1/).

It reads the features' rows through their own scoping (``policy.visible``) and list queries,
so a count on the dashboard is the length of the list it links to.
"""
