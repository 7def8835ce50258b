from pamong_edx.cli import main

main()
