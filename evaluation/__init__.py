"""Score a run of the pipeline against the truth of a generated batch (``pingshen evaluate``)."""
