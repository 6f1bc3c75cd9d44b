"""wirefeed spiders: navigation only; extraction lives in wirefeed core."""
