from frontend.declaration import Language
from frontend.plan.recipe import Recipe


class TypeScript(Recipe):
    title = "TypeScript"
    script_option = "typescript"
    requires = (Language.NODE,)
