"""`python -m pipeline simulate`: the committed cloudbuild.yaml run offline as Cloud Build would run it.

The executor (buildfile, substitution, trigger, schedule, executor, steprun) runs the YAML file's
steps in `waitFor` order with their timeouts and failure semantics; each step sees only the tools its
image provides (toolbox); whatever needs Google Cloud or a container daemon is answered by one fake
world built from the stack's offline plan (world/); violations/ injects named faults into it.
"""
