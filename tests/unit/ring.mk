UNIT_TESTS += ring
unit-ring-srcs := tests/unit/test_ring.c guests/lib/ring.c guests/lib/ring_producer.c guests/lib/ring_consumer.c lib/format.c lib/string.c
