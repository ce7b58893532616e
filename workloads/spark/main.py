"""The file Dataproc runs (`gcloud dataproc jobs submit pyspark main.py --py-files hipaa_spark-*.whl -- ARGS`)."""

import sys

from hipaa_spark.job import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
