"""The institution registry (机构名录库): institutions, their spreadsheet import and export, and
the history of each one's changes; the list every visit and every draw (双随机) starts from."""
