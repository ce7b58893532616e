-- A small regression over the de-identified aggregates only (no row-level table, no identifier):
-- encounters per facility, month and ZIP3 cell. CMEK-encrypted with the environment's BigQuery key
-- and registered in the Vertex AI Model Registry, where deploy-vertex-model.sh picks it up.
CREATE OR REPLACE MODEL `{{PROJECT}}.{{DATASET}}.{{MODEL}}`
OPTIONS (
  model_type = 'LINEAR_REG',
  input_label_cols = ['encounter_count'],
  data_split_method = 'AUTO_SPLIT',
  model_registry = 'VERTEX_AI',
  vertex_ai_model_id = '{{VERTEX_MODEL_ID}}',
  kms_key_name = '{{KMS_KEY}}'
) AS
SELECT
  facility_id,
  patient_zip3,
  EXTRACT(MONTH FROM service_month) AS service_month_of_year,
  patient_count,
  mean_length_of_stay_days,
  encounter_count
FROM `{{PROJECT}}.{{DATASET}}.facility_monthly_encounters`
WHERE encounter_count IS NOT NULL
