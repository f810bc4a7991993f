"""The institution registry (机构名录库): the first list of 双随机."""
