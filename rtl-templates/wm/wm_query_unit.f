{{fileList}}
