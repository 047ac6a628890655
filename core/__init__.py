"""The monitoring platform's computations, without Streamlit.

pandas keeps text columns (and column labels) in Python objects here rather than in Arrow arrays, its
default when pyarrow is installed: a refresh makes about a thousand small selections, merges and frames
over tens of thousands of codes, and converting between Arrow text and Python objects for each of them
took about 0.3 s of a province-scale refresh (bench/refresh.py). The text behaves the same either way.
"""
import pandas as _pd

_pd.set_option("mode.string_storage", "python")
