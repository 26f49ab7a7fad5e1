"""The export engine: shards, the one scheduler of their pages, and what a pull reports.

Private, and below `_resources` in the layer map: `zt.calls.export()` builds
an `Export` from here on the pager's own seam, and the public
`zentrunk_async.export` package (files, checkpoints, verification) sits on
top of both. Nothing here imports the resources or the client.
"""
