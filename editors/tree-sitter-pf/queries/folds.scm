; Blocks, nested bodies and lists fold.
[(body) (list)] @fold
