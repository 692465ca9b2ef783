# Memory management: the one page-table engine and its formats, the page pool.
core-y += kernel/mm/paging.o
core-y += kernel/mm/paging_formats.o
core-y += kernel/mm/page_pool.o
