"""The 双随机 draw (docs/commands.md, "draw"; docs/draw-verification.md): the draw itself
(run.py) over its validated input (input_file.py), team assignment (assign.py) and the
reproducible random stream (stream.py); the seed's commit-reveal (seed_commit.py), when targets
become public (publication.py), and the citizen's check of the published files (verify.py)."""
