"""The lake: Parquet tables swapped in atomically, and the engines that query them."""
