"""The replaceable DOCX layout of the monthly notice (notice.docx) and the script that builds the default one."""
