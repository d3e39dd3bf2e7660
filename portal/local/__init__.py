"""The embedded AWS for `portal dev` and the CLI: DynamoDB Local, or moto's server."""
