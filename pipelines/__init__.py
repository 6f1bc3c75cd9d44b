"""wirefeed item pipelines: thin Scrapy shells over the pure stages in wirefeed core."""
