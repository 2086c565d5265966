"""A local stand-in for AWS (moto) for tests, benchmarks and demos; never real AWS."""
