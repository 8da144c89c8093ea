def multiply(left, right):
    return left * right
