"""The Word template of the 督办 documents (会议纪要, 督办通报); `build_template.py` regenerates it."""
