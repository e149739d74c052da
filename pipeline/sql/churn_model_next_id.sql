-- One row: the id the next churn model gets (its file is named by it before it is recorded).
SELECT nextval('churn_model_id_seq') AS model_id;
