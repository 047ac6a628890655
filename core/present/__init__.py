"""How figures read: labels in Chinese and English, flag texts, charts, maps and workbook formatting. Pure functions over frames; below the store, so every layer may use them."""
