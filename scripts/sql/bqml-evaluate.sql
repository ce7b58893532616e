-- Regression metrics of the model just trained (on its evaluation split).
SELECT r2_score, mean_absolute_error, mean_squared_error
FROM ML.EVALUATE(MODEL `{{PROJECT}}.{{DATASET}}.{{MODEL}}`)
