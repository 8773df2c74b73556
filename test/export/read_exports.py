"""Reads riskgate's exports back with pyarrow and pandas and compares them with the expected rows.

usage: read_exports.py EXPECTED.json PARQUET_DIR CSV_DIR JSONL_DIR JSONL_FILE

EXPECTED.json: {"tables": {name: [row, ...]}} with prices and money as 4-decimal strings,
integers as numbers (or strings past 2^53), booleans, strings and nulls — computed by the test
from the raw records, independently of the exporter. Prints one JSON object: per table and
format, the row count, the types seen and the first mismatches.
"""
import json
import sys
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

expected_path, parquet_dir, csv_dir, jsonl_dir, jsonl_file = sys.argv[1:6]
expected = json.load(open(expected_path))["tables"]
manifest = json.load(open(f"{parquet_dir}/manifest.json"))
columns = {t["name"]: t["columns"] for t in manifest["tables"]}

# The Arrow types the schema page (docs/exports.md) promises for each column type.
ARROW_TYPE = {
    "int64": pa.int64(),
    "price": pa.decimal128(10, 4),
    "money": pa.decimal128(20, 4),
    "bool": pa.bool_(),
    "string": pa.string(),
}
# How pandas reads a CSV column with the documented dtypes (docs/exports.md, "Reading in Python").
CSV_DTYPE = {"int64": "int64", "price": "string", "money": "string", "bool": "bool", "string": "string"}


def norm(col_type, v):
    """A value as the expected JSON has it (None for missing)."""
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    if col_type in ("price", "money"):
        d = Decimal(str(v))
        return f"{d:.4f}"
    if col_type == "int64":
        return int(v)
    if col_type == "bool":
        return bool(v)
    return str(v)


def exp_norm(col_type, v):
    if v is None:
        return None
    if col_type == "int64":
        return int(v)
    return v


result = {"metadata": {}, "tables": {}}
meta = pq.read_metadata(f"{parquet_dir}/decisions.parquet").metadata
result["metadata"] = {k.decode(): v.decode() for k, v in meta.items() if k != b"ARROW:schema"}
result["created_by"] = pq.read_metadata(f"{parquet_dir}/decisions.parquet").created_by

jsonl_all = pd.read_json(jsonl_file, lines=True, dtype=False, convert_dates=False) if open(jsonl_file).read(1) else pd.DataFrame({"table": []})

for name, cols in columns.items():
    want = expected[name]
    out = {}
    names = [c["name"] for c in cols]

    # Parquet through pyarrow: exact Arrow types, then values.
    t = pq.read_table(f"{parquet_dir}/{name}.parquet")
    types_ok = [f.name for f in t.schema] == names and all(
        t.schema.field(c["name"]).type == ARROW_TYPE[c["type"]] and t.schema.field(c["name"]).nullable == c["nullable"] for c in cols
    )
    frames = {"parquet": t.to_pandas()}

    # CSV through pandas with the documented dtypes (nullable integers as Int64).
    dtype = {c["name"]: ("Int64" if c["nullable"] and c["type"] == "int64" else CSV_DTYPE[c["type"]]) for c in cols}
    csv = pd.read_csv(f"{csv_dir}/{name}.csv", dtype=dtype, keep_default_na=False, na_values={c["name"]: [""] for c in cols if c["nullable"]})
    frames["csv"] = csv
    # CSV with pandas' own inference: integer columns must come back as integers, not floats.
    inferred = pd.read_csv(f"{csv_dir}/{name}.csv")
    int_cols_ok = all(
        str(inferred[c["name"]].dtype) == "int64" for c in cols if c["type"] == "int64" and not c["nullable"]
    ) if len(inferred) else True

    # JSONL: the per-table file and the tagged rows of the one-file export.
    jl_path = f"{jsonl_dir}/{name}.jsonl"
    frames["jsonl"] = pd.read_json(jl_path, lines=True, dtype=False, convert_dates=False) if open(jl_path).read(1) else pd.DataFrame(columns=names)
    sub = jsonl_all[jsonl_all["table"] == name] if len(jsonl_all) else pd.DataFrame(columns=names)
    frames["jsonl_file"] = sub.reindex(columns=names)

    for fmt, df in frames.items():
        mism = []
        if list(df.columns) != names:
            mism.append({"columns": list(df.columns)})
        rows = df.to_dict("records")
        if len(rows) != len(want):
            mism.append({"rows": len(rows), "expected": len(want)})
        for i, (got, exp) in enumerate(zip(rows, want)):
            for c in cols:
                g = norm(c["type"], got.get(c["name"]))
                e = exp_norm(c["type"], exp[c["name"]])
                if g != e:
                    mism.append({"row": i, "column": c["name"], "got": g, "expected": e})
                    break
            if len(mism) >= 5:
                break
        out[fmt] = {"rows": len(rows), "mismatches": mism}
    out["arrow_types_ok"] = types_ok
    out["arrow_types"] = {f.name: str(f.type) for f in t.schema}
    out["csv_inferred_int_columns_ok"] = int_cols_ok
    out["csv_inferred_dtypes"] = {k: str(v) for k, v in inferred.dtypes.items()}
    result["tables"][name] = out

print(json.dumps(result))
