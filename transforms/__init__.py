"""One module or package per pipeline stage; each is a thin composite PTransform over pure code."""
