from frontend.plan.recipe import Recipe


class Java(Recipe):
    tag = "java"
    title = "Java"
    script_option = "java"
