def greet(name)
  "hello #{name} from ruby"
end
