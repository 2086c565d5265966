"""Pulumi components of the secure data lake.

- ``data_lake.DataLake``: zones + key + logs bucket, the one component ``__main__.py`` declares
- ``lake_key.LakeKey``: the KMS customer key (policy in ``documents/key_policy.py``)
- ``secure_bucket.SecureBucket``: one bucket with all its protections (policy in
  ``documents/bucket_policy.py``, lifecycle rules in ``lifecycle.py``)
- ``logs_bucket.LogsBucket``: the access-log target (grant in ``documents/logs_bucket_policy.py``)
- ``settings.py``: the typed inputs and their defaults; ``naming.py``: bucket names
"""
