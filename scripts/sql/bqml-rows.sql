-- Rows validate-bqml-model.sh may train on: the facility-month aggregates the PySpark job wrote.
SELECT COUNT(*) AS row_count
FROM `{{PROJECT}}.{{DATASET}}.facility_monthly_encounters`
WHERE encounter_count IS NOT NULL
