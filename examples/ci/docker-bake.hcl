# Builds the examples with the MetaCall frontend, as a CI would:
#   docker buildx bake -f examples/ci/docker-bake.hcl [--push]
# Offline, give core's source as a named context:
#   --set '*.contexts.metacall-core=path/to/core'

variable "REGISTRY" {
  # e.g. "ghcr.io/you/"; empty: local image names
  default = ""
}

variable "TAG" {
  default = "latest"
}

variable "CA_BUNDLE" {
  # A CA bundle every network step trusts (TLS-inspecting proxies); empty: none.
  default = ""
}

group "default" {
  targets = ["monorepo-app", "server-app", "py-app", "node-app", "polyglot-app"]
}

target "example" {
  dockerfile = "metacall.yaml"
  secret     = CA_BUNDLE != "" ? ["id=ca-certificates,src=${CA_BUNDLE}"] : []
}

target "monorepo-app" {
  inherits = ["example"]
  context  = "examples/monorepo-app"
  tags     = ["${REGISTRY}metacall-example-monorepo-app:${TAG}"]
}

target "server-app" {
  inherits = ["example"]
  context  = "examples/server-app"
  tags     = ["${REGISTRY}metacall-example-server-app:${TAG}"]
}

target "py-app" {
  inherits = ["example"]
  context  = "examples/py-app"
  tags     = ["${REGISTRY}metacall-example-py-app:${TAG}"]
}

target "node-app" {
  inherits = ["example"]
  context  = "examples/node-app"
  tags     = ["${REGISTRY}metacall-example-node-app:${TAG}"]
}

target "polyglot-app" {
  inherits = ["example"]
  context  = "examples/polyglot-app"
  tags     = ["${REGISTRY}metacall-example-polyglot-app:${TAG}"]
}
