# A one-file Ruby app: the manifest names it, the declaration is one line.
def hello(name)
  "hello #{name} from Ruby #{RUBY_VERSION}"
end
