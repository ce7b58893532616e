"""What the pipeline builds, scans, signs and deploys: PySpark job, API, manifests, data-quality suite."""
